"""Render ``ApplicationError`` raised in a page view as a proper error page with its status."""

from django.shortcuts import render

from ipoc.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception, "status_code": exception.status},
                          status=exception.status)
        return None
