from ninja.security import HttpBearer, SessionAuth

from ketnoi.core.audit import Actor, _current_actor

from .services import token_authenticate


class TokenAuth(HttpBearer):
    """Authorization: Bearer kn_… (created on the 'API tokens' page or with the API)."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        # The actor middleware ran before authentication; make this user the actor of writes.
        _current_actor.set(
            Actor(user=user, name=user.get_username(), ip_address=request.META.get("REMOTE_ADDR"), source="api")
        )
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [TokenAuth(), ActiveSessionAuth()]
