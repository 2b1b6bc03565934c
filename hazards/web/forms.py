"""Reading form fields into typed values: the form source of `hazards.inputs.values`.

Kept under its old name for the views that read ad-hoc forms (admin, reporting); the shapes an API
also accepts are read through `hazards.inputs.shapes`.
"""

from __future__ import annotations

from hazards.inputs.values import FormValues as FormReader

__all__ = ["FormReader"]
