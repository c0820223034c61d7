"""Single sign-on with OpenID Connect (docs/sign-in.md, "Single sign-on").

Each configured identity provider (a council's, its NHS partner's) gets a button on the sign-in
pages. A person signs in through one only if someone with that verified email address already
has an active account here; nobody is created. mozilla-django-oidc does the protocol's
checks (state, nonce, the token exchange, the ID token's signature against the provider's
keys); this package adds what it leaves out (audience, issuer, several providers) and the
rules of this service.
"""
