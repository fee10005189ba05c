"""The checker with reference statuses switched on by its class (the elg package ignores the attribute)."""
from checker import Checker


class CheckerWithReferenceStatuses(Checker):
    reference_statuses = True


app = CheckerWithReferenceStatuses("checker").app
