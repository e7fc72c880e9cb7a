def establishment(request):
    """The establishment the request acts for (set by the middleware), for the layout,
    and whether its person may switch to another one."""
    return {
        "current_establishment": getattr(request, "establishment", None),
        "several_establishments": len(getattr(request, "memberships", ())) > 1,
    }
