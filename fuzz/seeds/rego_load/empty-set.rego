package p

none := set()input.costs

warn contains "empty" if count(none) == 0
