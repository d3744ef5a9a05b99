def add(a, b):
    """Return the sum of a and b."""
    return 


def mean(values):
    return add(sum(values), 0) / len(values)
