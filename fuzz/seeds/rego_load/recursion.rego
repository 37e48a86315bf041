package loop

f(x) := g(x)

g(x) := f(x + 1)

deny[msg] {
	f(1) > 0
	msg := "never"
}
