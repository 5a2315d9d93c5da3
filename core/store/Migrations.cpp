#include "store/Migrations.h"

#include "store/Database.h"
#include "util/Error.h"

#include <string>

namespace cotlab::store {

void migrate(Database& db)
{
    const auto& all = embeddedMigrations();
    const int current = db.userVersion();
    const int latest = all.empty() ? 0 : all.back().version;
    if (current > latest)
        throw Error(db.path() + ": workspace schema version " + std::to_string(current) +
                    " is newer than this CoTLab supports (" + std::to_string(latest) + "); update CoTLab");
    if (current == latest)
        return;
    // The GUI's pages open their own connections at once, and each migrates: the others wait for the one that
    // holds the write lock, as long as a migration takes (rebuilding an index of millions of rows: seconds).
    struct PatientWhileMigrating {
        Database& db;
        ~PatientWhileMigrating() { db.setBusyTimeout(Database::kDefaultBusyTimeoutMs); }
    } patient{db};
    db.setBusyTimeout(kMigrationWaitMs);
    for (const Migration& m : all) {
        if (m.version <= current)
            continue;
        Transaction tx(db);
        if (db.userVersion() >= m.version)
            continue; // another connection applied it while this one waited for the lock
        try {
            db.exec(m.sql);
            db.exec("PRAGMA user_version = " + std::to_string(m.version));
        } catch (const Error& e) {
            throw Error(std::string("migration ") + m.name + " failed: " + e.what());
        }
        tx.commit();
    }
}

} // namespace cotlab::store
