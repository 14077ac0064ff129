"""A request type for views behind `role_required` (the kernel's, re-exported for the apps that import it here)."""

from wuye.kernel.http import AuthedHttpRequest as AuthedHttpRequest
