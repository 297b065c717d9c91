"""The job worker: a runner that claims jobs, and the handlers that do each kind of job."""
