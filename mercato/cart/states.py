from django.db import models

from mercato.core.states import Move, Transitions


class CartStatus(models.TextChoices):
    ACTIVE = "Active"
    CONVERTED = "Converted"
    EXPIRED = "Expired"


CART_TRANSITIONS = Transitions(field="status", moves={
    "convert": Move(source={CartStatus.ACTIVE}, target=CartStatus.CONVERTED),
    "expire": Move(source={CartStatus.ACTIVE}, target=CartStatus.EXPIRED),
})
