def establishment(request):
    """The logged-in establishment, for the layout (its name in the header)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_establishment": None}
    return {"current_establishment": getattr(user, "establishment", None)}
