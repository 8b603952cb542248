"""CSV cells that a spreadsheet would run as a formula (OWASP "CSV Injection").

Every CSV the registry writes passes its cells through `neutralise`: a cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, which spreadsheets
show as text. A cell that already starts with an apostrophe gets one more, so the import's
`restore` can take exactly one away: importing an exported file gives the same record back.
"""
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(text):
    if text and text[0] in (*TRIGGERS, QUOTE):
        return QUOTE + text
    return text


def restore(text):
    if text and len(text) > 1 and text[0] == QUOTE and text[1] in (*TRIGGERS, QUOTE):
        return text[1:]
    return text
