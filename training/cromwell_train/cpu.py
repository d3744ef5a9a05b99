"""How many PyTorch threads to use on this CPU."""

import os

import torch


def choose_threads() -> int:
    """One thread on an oversubscribed machine: OpenMP threads spin-wait for each other, and with
    other processes on the cores that costs far more than it gains (measured on the shared 2-core
    machine under load: 195 training tokens/s with one thread, 35 with two). Otherwise PyTorch's
    default."""
    cores = os.cpu_count() or 1
    threads = 1 if os.getloadavg()[0] >= cores else torch.get_num_threads()
    torch.set_num_threads(threads)
    return threads
