"""GitLab REST v4 connector (gitlab.com or a self-managed instance's `/api/v4`)."""

from pulse.etl.connectors.base.interface import register_connector
from pulse.etl.connectors.gitlab.connector import GitLabConnector

register_connector(GitLabConnector.type, GitLabConnector)

__all__ = ["GitLabConnector"]
