"""Request-level guards: errors of page views rendered in the layout, and uploads bounded before they
are received.

* ``ApplicationErrorMiddleware`` renders an ``ApplicationError`` raised in a page view as the error page
  with its status, and turns the last-resort bad-input errors (an integer past the database's range, a
  date or year outside what can be stored or indexed) into a 400 naming the parameter instead of a 500.
* ``UploadLimitMiddleware`` (before CSRF, which reads the body) answers 413 naming the field as soon as a
  file of a multipart body passes the URL's upload limit while it is being received
  (``ipoc.core.uploads.LimitedUploadHandler``): nothing past the limit is read or written.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from ipoc.core.errors import ApplicationError


def _error_response(request, error: ApplicationError):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    return render(request, "error.html", {"error": error, "status_code": error.status}, status=error.status)


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code in (404, 405) and request.path.startswith("/api/")
                and response.get("Content-Type", "").startswith("text/html")):
            # no API route matched (e.g. /api/v1/centers/applications/-5/reviews): the API's error shape,
            # not the HTML page
            return JsonResponse({"error": {"message": f"接口不存在：{request.method} {request.path}"[:300],
                                           "field": None, "code": "not_found"}}, status=response.status_code)
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None  # the API's own exception handlers answer there (ipoc.api)
        from ipoc.core.bounds import BadInput, bad_input_error

        if isinstance(exception, BadInput):  # a URL parameter: the page says which one
            exception = exception.shown_with_field()
        if isinstance(exception, ApplicationError):
            return render(request, "error.html", {"error": exception, "status_code": exception.status},
                          status=exception.status)
        error = bad_input_error(request, exception)
        if error is not None:
            error = error.shown_with_field()
            return render(request, "error.html", {"error": error, "status_code": error.status}, status=error.status)
        return None


class UploadLimitMiddleware:
    """Bound multipart uploads before anything reads the body (must come before CsrfViewMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and \
                request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            from ipoc.core.uploads import LimitedUploadHandler, UploadTooLarge, upload_limit_for_path

            request.upload_handlers.insert(0, LimitedUploadHandler(request, upload_limit_for_path(request.path)))
            try:
                request.FILES  # noqa: B018 — parse now, while a refusal can still be answered cleanly
            except UploadTooLarge as exc:
                return _error_response(request, exc)
            except OSError:  # the client went away mid-upload
                return _error_response(request, ApplicationError("上传中断，请重新上传", field="file"))
        return self.get_response(request)
