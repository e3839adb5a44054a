"""GitHub REST v3 connector (github.com or an Enterprise server's `/api/v3`)."""

from pulse.etl.connectors.base.interface import register_connector
from pulse.etl.connectors.github.connector import GitHubConnector

register_connector(GitHubConnector.type, GitHubConnector)

__all__ = ["GitHubConnector"]
