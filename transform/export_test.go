package transform

// CheckGraphs is checkGraphs, for the tests of package transform_test.
var CheckGraphs = checkGraphs

// GoRoot is goroot, for the tests of package transform_test.
var GoRoot = goroot

func init() {
	// The tests format every output in as many pieces as it has cuts, and
	// check it against format.Source of the whole (see formatSource).
	formatPieceMin = 1
	formatCheck = true
	// And every machine's text, written, against the one restored (see
	// printMachine).
	textCheck = true
}
