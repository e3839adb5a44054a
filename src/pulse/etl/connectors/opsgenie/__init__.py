"""Opsgenie Incident API v1 connector (incidents and services)."""

from pulse.etl.connectors.base.interface import register_connector
from pulse.etl.connectors.opsgenie.connector import OpsgenieConnector

register_connector(OpsgenieConnector.type, OpsgenieConnector)

__all__ = ["OpsgenieConnector"]
