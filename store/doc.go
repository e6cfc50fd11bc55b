// Package store is Liaison's storage contract: the domain types (API
// roots, collections, object versions, status resources, accounts, the
// audit trail and consumer activity), the errors and their codes, the
// query and add-request types, and one Store interface that everything
// above the storage uses (taxii, taxii/auth, store/curation, cmd). It holds
// no storage itself: store/bolt keeps everything in one bbolt file.
//
// The rules below are what a backend must do beyond the method signatures.
// Each is written once, here; where the rule is a computation, the
// function that computes it is in this package, so that backends share
// the code and not only the prose. store/storetest checks every rule
// (storetest.Run); the test names are given in brackets.
//
// # Time
//
// Every time a backend stores or compares (date_added, status and audit
// times, creation times, key expiry) comes from Options.Now, in UTC.
//
// # Filters
//
// A Query's filters apply in this order (TAXII 2.1 leaves it open, errata
// #114): match[spec_version] (SpecVersions; default: each object's latest
// spec version), then the version selection (Versions; default last) among
// all the versions that remain, whenever they were added, and only then
// AddedAfter, After, match[id] (IDs, ObjectID) and match[type] (Types). So
// "last" is always the object's current version, and a client paging with
// added_after sees each object once, in its current version, even when an
// older version was added after a newer one. (medallion applies
// added_after before choosing the version instead.) ObjectID names one
// object: ErrObjectNotFound when the collection holds no version of it,
// an empty page when it has versions that the filters exclude. Ids and
// types match exactly (case included); a type matches the part of an id
// before "--" (TypeOf). [Query, every case of its table;
// Query_PagingByPosition]
//
// # Version selection
//
// An object's current version is its latest version in its latest spec
// version: spec versions compare numerically (SpecVersionLess: "" < "2.0"
// < "2.1"), versions by their modified instant, then by date_added. Within
// the selected spec versions, First is the earliest version and Last the
// latest; At matches versions by instant (nanoseconds, whatever the text
// or time zone they were written or asked in); All is every version;
// First, Last and At combine as a union. [Query: DefaultIsLatestPerObject,
// First, Last, At*, Spec*]
//
// # Positions
//
// Every stored version gets a date_added in unix microseconds, which is
// its Record.Position: unique and strictly increasing within its
// collection, so that paging by position never skips or repeats a
// version. It is now truncated to microseconds, or the collection's last
// date_added plus one microsecond when that is not later (several objects
// in one request, a clock that stands still or goes back). Positions are
// per collection; they are never reused, not even after the version that
// had one is deleted (CollectionLastAdded never decreases); a failed
// AddObjects uses none. A query returns versions with a position greater
// than After and than AddedAfter truncated to microseconds, in position
// order. When Page.More is set, Page.Resume is the position to go on from
// (the next Query.After): the last record's, or just before the entry where
// a page cut short by MaxScan stopped; paging from Resume visits every
// match exactly once. [AddObjects_DateAdded, AddObjects_DateAddedPerCollection,
// CollectionLastAdded, AddObjects_Atomic, Query: AddedAfter*,
// Query_PagingOneRequest, Query_More, Query_MaxScan]
//
// # Page limits
//
// Query.Limit must be positive: a page holds at most Limit records, and
// More is exact when the page is full (a further match exists). Two
// bounds cut a page short, with More set even if nothing matches after
// it: MaxBytes (default DefaultMaxPageBytes) bounds the bytes of Raw in a
// page, which still holds at least one record (pages with NoBody are not
// bounded); MaxScan (default DefaultMaxScan) bounds the index entries (or
// rows) a page may visit. Page.Scanned counts them: for the same page it
// must not grow with the size of the collection, for the default
// selection not with the number of versions of an object either, and for
// the other selections at most linearly. Raw is the caller's: a copy.
// [Query_More, Query_Errors, Query_MaxBytes, Query_MaxScan,
// Query_CostIndependentOfSize, Query_CostWithManyVersions, Query_NoBody,
// Query_RawIsCopy]
//
// # Duplicates and conflicts
//
// An object whose id and version (modified, as an instant) the collection
// holds already is a duplicate when its content is the same (SameContent:
// the same JSON, key order and spacing aside, numbers compared as
// written): a success that stores nothing, with the message
// Status.AddOutcome writes. With other content (another text for the same
// instant included) it is a conflict: a failure that names the object,
// and the stored version stays. Objects repeated within one request are
// treated alike. A later modified is a new version. [AddObjects_Duplicates,
// AddObjects_DuplicateInOneRequest, AddObjects_LargeIntegersCompareExactly]
//
// # SCO versions and de-duplication
//
// SCOs have no modified. An SCO whose id and content (ContentHash, of the
// canonical JSON) the collection holds is a duplicate, reported with the
// version it first got; other content is a new version whose version is
// its date_added, formatted as a TAXII timestamp, and which match[version]
// selects like any other. Deleting an SCO version forgets its content.
// [AddObjects_Duplicates: SCO*, AddObjects_SCOVersion,
// AddObjects_SCOKeyOrderIsDuplicate, DeleteObject_SCO]
//
// # Adding objects and statuses
//
// AddObjects is one transaction: the versions, the collection's positions
// and the status resource are stored together or not at all (an unknown
// collection, a cancelled context). Its status is complete: the request's
// validation failures first, then each object's outcome in envelope order
// (NewStatus, Status.AddOutcome), its counts those of its lists. A status
// belongs to its API root and to the principal that made the request;
// asked for from another API root it is ErrStatusNotFound and nothing
// else. It is kept Options.StatusRetention after it completed (exactly
// that long included), then PurgeStatuses removes it; AddObjects may purge
// some expired statuses on the way. [AddObjects_Status, AddObjects_Atomic,
// AddObjects_ErrCollectionNotFound, Status, Status_OtherRootReturnsNothing,
// PurgeStatuses]
//
// # Deletes
//
// DeleteObject with no version selection deletes every version of the
// object in SpecVersions (every version when empty): a bare DELETE removes
// the object. With a version selection, versions are chosen among those
// of SpecVersions, or of the object's latest spec version when it is
// empty, as a query chooses them. Deleted versions leave every query at
// once, the current version is chosen again among those left, and what
// was deleted can be added again as a new version. ErrObjectNotFound when
// the object is absent or no version matches (nothing is deleted).
// [DeleteObject, DeleteObject_SCO, DeleteObject_ErrCollectionNotFound,
// DeleteObject_Many]
//
// # Sharing by markings
//
// Every version keeps the stix.Markings stix.Peek reads from it (its TLP
// level, other marking definitions and creator), which Record.Markings
// returns. A Query or a DeleteObject with a Clearance treats the versions
// the clearance does not admit (Clearance.Admits) as absent, before every
// other filter: an object none of whose versions it admits is
// ErrObjectNotFound; the default selection returns each object's newest
// version the client may see (in the order that chooses the current
// version: the current version, or an older one when a newer one was
// re-marked beyond the client); the other selections and deletes choose
// among the versions it admits, and paging stays exact. Entries the client
// may not see count against MaxScan like any other, so a page for a client
// that may see little of a collection still ends; and a restricted page
// must cost what an unrestricted one does, so the markings are read with
// the index entries (or rows) the query reads anyway, and the versions
// that are the newest some clients may see although a newer one exists
// (AtLeastAsVisible decides) are kept where the default selection finds
// them. [Sharing, Sharing_MaxScan, Query_CostIndependentOfSize, Copy]
//
// # API roots and collections
//
// NewAPIRoot, APIRootUpdate.Apply, NewCollection, CollectionUpdate.Apply
// and CheckAlias hold the rules of names, titles, limits and media types.
// At most one API root is the default: making one the default takes the
// mark off the others. A collection's id is a random UUIDv4 (NewID); its
// alias is unique within its API root; Collections lists by creation
// (Seq). Lookups are exact. Removing an API root with collections, or a
// collection holding objects, needs force; removing a collection removes
// the grants on it. [CreateAPIRoot, APIRoots, APIRoot, UpdateAPIRoot,
// RemoveAPIRootAndCollection, CreateCollection, Collection*, Collections,
// UpdateCollection, CollectionStats]
//
// # Accounts and grants
//
// User names follow CheckUserName and are unique. Passwords are stored
// only as argon2id hashes at Options.PasswordCost (Passwords.Hash); a user
// without one authenticates with API keys only. VerifyPassword answers
// ErrUserNotFound or ErrBadPassword, and spends the time of a check when
// there is no hash to check against (Passwords.Check), so that its delay
// does not tell which names exist. A grant gives rights on one collection, by id; a grant without
// rights is removed; UpdateGrant reads and writes it in one transaction.
// A grant CheckGrant refuses, or an organisation CheckOrg refuses, is
// ErrInvalid.
// API keys are made by NewAPIKey: only a SHA-256 of the secret is stored,
// and no listing or verification returns it. VerifyAPIKey admits a token
// by APIKey.Admits (secret, not revoked, not expired at Now) when its user
// exists, and answers every failure with ErrBadAPIKey. TouchAPIKeys only
// moves LastUsed forward. RemoveUser removes the user's keys.
// [CreateUser, Passwords, Grants, APIKeys]
//
// # Audit and activity
//
// The audit trail only grows, until PurgeAudit removes the entries older
// than the retention asked for; an entry without a time gets Now's. Audit
// returns entries oldest first: those at or after Since (compared in
// microseconds), of User, and with Limit the newest Limit of them.
// Activity is kept per (collection, principal); RecordActivity merges each
// batch into it with Activity.Merge in one transaction, and Activity lists
// one collection's (or all), most recent request first. [Audit, Activity]
//
// # The cursor secret
//
// CursorSecret is made once per database, is the same across restarts (it
// signs the next tokens clients hold) and differs between databases.
// [CursorSecret; store/bolt: TestStore_CursorSecret]
//
// # Backend-specific operations
//
// What concerns how a backend keeps its data is not in Store. A backend
// that keeps the whole database in one local file implements FileStore
// (FileStats, and Backup, a consistent copy while serving); one that
// reports its engine's counters implements StatsReporter. Checking a
// database file (bolt.CheckFile, Store.Check, the check modes) and the
// errors of opening one (bolt.ErrDamaged, bolt.ErrDatabaseLocked) are
// store/bolt's own: only the command, which chooses the backend, uses
// them. [Backup, when the backend implements FileStore]
//
// # Copies
//
// A backend that can be copied whole to another (liaison copy) implements
// Exporter and Importer: Export emits every item (Item, in its order) from
// one snapshot, Import writes another database's items into an empty one,
// keeping every date_added, hash, status and the cursor secret, so that
// the copy's export equals the original's. [Copy, when the backend
// implements both]
package store
