"""The similar-patents route, mounted on the /patents API prefix (see ``ipoc.api.ROUTERS``)."""
