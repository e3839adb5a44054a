DROP TABLE metric_work_item_wip;
DROP TABLE metric_work_item_segments;
DROP TABLE metric_work_items;
DROP TABLE metric_pull_requests;
