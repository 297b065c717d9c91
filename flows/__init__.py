"""genba's conversations as pure functions: (state, input, context) -> (state, replies, effects).

Nothing in this package performs I/O, reads a clock, draws random numbers or logs; the entry point
is `flows.machine.step`.
"""
