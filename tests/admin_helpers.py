"""Signing regulators in through the real forms: password, then a real TOTP code."""
import pyotp
from sqlalchemy import select

from registry.extensions import db
from registry.models import User
from registry.services import users

PASSWORD = "correct horse battery staple"


class Staff:
    """flaskr's AuthActions, with the second factor."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def create(self, email, role, own_password=True):
        """An account; with own_password, as if the officer had already chosen their own
        password (otherwise the first sign-in must change it)."""
        with self.app.app_context():
            user = users.create_user(email, role, PASSWORD, actor="test")
            user.must_change_password = not own_password
            db.session.commit()
        return email

    def login(self, email, password=PASSWORD, code=None):
        response = self.client.post("/admin/login", data={"email": email, "password": password})
        if response.status_code != 302:
            return response
        with self.app.app_context():
            user = db.session.scalars(select(User).where(User.email == email)).one()
            if not user.totp_secret:
                self.client.get("/admin/second-factor")  # enrolment creates the secret
                db.session.refresh(user)
            totp = pyotp.TOTP(user.totp_secret)
            # Each code is accepted once: a second sign-in in the same 30 s uses the next step.
            step = max(user.totp_last_step + 1, int(__import__("time").time()) // 30)
            code = code or totp.at(step * 30)
        return self.client.post("/admin/second-factor", data={"code": code})

    def logout(self):
        return self.client.post("/admin/logout")
