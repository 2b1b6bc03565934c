"""Adapter: reading what people send (a web form or a JSON body) into typed values.

`values` holds the two sources, one interface: `FormValues` reads form text, `JsonValues` a JSON
object with its own types, and both collect the same typed field errors (a template and params per
field) that `check()` raises at once as one `InvalidInput`. `shapes` reads each input shape (an
action's fields, a hazard's editable fields, a funding line) once, with one set of limits, from
either source.
"""
