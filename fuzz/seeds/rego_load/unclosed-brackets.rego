package deep
x := [[[[[[[[[[[[[[[[:1]]]yyyyyy]]]]]]]]]]]]]]
all x
