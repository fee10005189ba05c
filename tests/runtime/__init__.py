"""Runtime tests: the service worker, the sync worker and the master, over real gunicorn processes."""
