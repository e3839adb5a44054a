"""Jira Cloud REST v3 connector."""

from pulse.etl.connectors.base.interface import register_connector
from pulse.etl.connectors.jira.connector import JiraConnector

register_connector(JiraConnector.type, JiraConnector)

__all__ = ["JiraConnector"]
