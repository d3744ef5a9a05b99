def add(a, b):
    """Return the sum of a and b."""
    return 


def total(values):
    result = 0
    for v in values:
        result = add(result, v)
    return result
