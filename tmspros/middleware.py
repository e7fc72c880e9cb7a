"""Request-wide wiring that belongs to no domain."""

from django.db import transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AtomicWriteRequestsMiddleware:
    """One transaction around each request that may write (POST, PUT…).

    It replaces ATOMIC_REQUESTS, which opened a transaction around every view,
    reads included: a GET runs in autocommit and costs no BEGIN/COMMIT. As
    with ATOMIC_REQUESTS, a view that raises (the exception becomes a 4xx or
    5xx answer further in) or a 5xx answer rolls everything back. It is the
    last middleware, so the transaction holds the view and nothing else that
    writes (the session is saved after it, as before).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if getattr(request, "_tmspros_view_failed", False) or response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    def process_exception(self, request, exception):
        request._tmspros_view_failed = True
        return None
