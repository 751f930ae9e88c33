"""WSGI entry point (``ipoc serve`` runs it under waitress)."""

import os

from ipoc.conf import limit_blas_threads_for_serving

limit_blas_threads_for_serving()  # before anything imports numpy

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
application = get_wsgi_application()
