"""The gunicorn side of a service: the worker classes ``serve`` runs and what the master is taught.

* :mod:`.service_worker`: the default worker. An event loop reads requests without threads
  (:mod:`.connection`, :mod:`.reading`, :mod:`.bodies`, :mod:`.chunked`), complete ones go to a
  bounded pool of threads (:mod:`.pool`, :mod:`.jobs`), a watchdog answers those past their
  deadline (:mod:`.watchdog`); a request waiting for its batch holds no thread (:mod:`.deferred`).
* :mod:`.sync_worker`: gunicorn's sync worker with the same reading, deadlines and ELG answers.
* :mod:`.answers`: the ELG failures the server gives by itself.
* :mod:`.arbiter`, :mod:`.recycling`, :mod:`.restarts`: the master replacing workers, successor
  first; :mod:`.hooks`: what the master and each worker tell the application's runtime.
* :mod:`.heap`: giving back the memory of large requests.
* :mod:`.listening`: binding before the service loads (one line for a port in use);
  :mod:`.reloading`: ``--reload`` that keeps serving through a broken edit.

The worker and the application meet only in :mod:`elg_decorators.runtime.lifecycle` (the
request's record) and the WSGI call.
"""
