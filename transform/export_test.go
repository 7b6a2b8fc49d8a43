package transform

// CheckGraphs is checkGraphs, for the tests of package transform_test.
var CheckGraphs = checkGraphs
