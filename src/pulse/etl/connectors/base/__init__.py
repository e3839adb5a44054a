"""What every connector builds on: the interface to the job machinery and reusable HTTP pieces."""
