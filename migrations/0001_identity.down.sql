DROP TABLE audit_events;
DROP TABLE user_permissions;
DROP TABLE user_sessions;
DROP TABLE users;
DROP TABLE clients;
