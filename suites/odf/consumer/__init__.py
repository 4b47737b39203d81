"""The consumer profile's own corpus and readers: documents built to show, through a
consumer's exports, whether it read styles, structure, cell types, formulas, whitespace,
foreign markup, bidirectional text, every ODF version and signed packages."""
