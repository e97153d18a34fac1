// Package arrowio reads and writes lomsong's columnar files: Parquet and
// Arrow IPC. It is the only package of the module that imports the Apache
// Arrow Go library (github.com/apache/arrow/go/v17); a move to another
// release of that library is an import rewrite inside this package.
package arrowio
