// Package store is Liaison's storage contract: the domain types (API
// roots, collections, object versions, status resources, accounts, the
// audit trail and consumer activity), the errors, the query and
// add-request types, and the rules every backend shares. It holds no
// storage itself: store/bolt keeps everything in one bbolt file.
package store
