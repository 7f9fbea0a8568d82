from django.db import models


class Step(models.Model):
    """A point a job body reached, written (and committed) as it reaches it."""

    key = models.CharField(max_length=100)
    step = models.CharField(max_length=100)
    pid = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.key}: {self.step} (pid {self.pid})"


class Effect(models.Model):
    """The effect of a job: one row per key, as a delivery is one row per message and recipient."""

    key = models.CharField(max_length=100, unique=True)
    pid = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
