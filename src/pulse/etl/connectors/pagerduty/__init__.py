"""PagerDuty REST API v2 connector (incidents and services)."""

from pulse.etl.connectors.base.interface import register_connector
from pulse.etl.connectors.pagerduty.connector import PagerDutyConnector

register_connector(PagerDutyConnector.type, PagerDutyConnector)

__all__ = ["PagerDutyConnector"]
