package deep
x := [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]
allow := x
