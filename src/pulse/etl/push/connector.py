"""The `push` integration type: nothing to connect to and nothing to sync; its data arrives by push."""

from __future__ import annotations

from typing import ClassVar

from pulse.etl.connectors.base.interface import (
    IntegrationConfig,
    PermanentSyncError,
    SyncContext,
    register_connector,
)
from pulse.etl.push import PUSH_TYPE


class PushConnector:
    """Registers the type; the jobs service refuses to start a sync of it, and this refuses too if one slips by."""

    type: ClassVar[str] = PUSH_TYPE

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Always fine: a push integration reaches out to nothing."""
        return True, "Push integrations receive data through the push API; there is nothing to connect to"

    def sync(self, ctx: SyncContext) -> None:
        """Never syncs."""
        raise PermanentSyncError("push integrations do not sync: their data arrives through the push API")


register_connector(PUSH_TYPE, PushConnector)
