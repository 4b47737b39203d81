"""Pages people read: the HTML report, the comparison view and the label registry's site.

Every page is one self-contained file (inline CSS and JavaScript, no network), readable
without JavaScript, and escapes everything it shows: evidence holds untrusted candidate output.
"""
