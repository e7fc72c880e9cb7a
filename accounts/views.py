from django.shortcuts import render


def account(request):
    """ "Mon compte": password, e-mail and the account's last events."""
    events = request.user.events.all()[:20]
    return render(request, "account/account.html", {"events": events})


def activate(request, uidb36, token):
    raise NotImplementedError
