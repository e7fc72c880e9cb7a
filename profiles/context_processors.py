def establishment(request):
    """The establishment the request acts for (set by the middleware), for the layout."""
    return {"current_establishment": getattr(request, "establishment", None)}
