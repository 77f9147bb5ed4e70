# Floating-point data: .float/.single (IEEE single), .double, .tfloat (x87 80-bit); integers and 0f/0d
# prefixes are floats there; an exact half rounds away from zero in GNU as.
.data
f:  .float 1.5, -2.5e3, 1e10, 0.1, 1.0e-40, 16777217.0, 16777219.0, 7, -12
s:  .single 0f1.5, 0d-2.25, .5, 1.
d:  .double 1.0e10, 0.1, 2.2250738585072014e-308, 9007199254740995.0, -0.0, 3.14159265358979323846264338327950288
t:  .tfloat 1.5, 0.1, 123456789.123456789
h:  .hfloat 1.5, 2051.0, 6.1e-5
