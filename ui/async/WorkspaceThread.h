#pragma once

// A thread with its own connection to a workspace that runs short store tasks one at a time, so the GUI thread
// never waits on SQL. Tasks run in the order posted, except that a task posted with `urgent` runs next; a task
// of a bounded kind (pages a view asked for while scrolling) pushes out the oldest queued task of its kind when
// too many wait, and that task's `dropped` callback runs instead (on the worker thread). Results go back with
// QMetaObject::invokeMethod(receiver, ..., Qt::QueuedConnection).
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace cotlab::store {
class Database;
class Workspace;
} // namespace cotlab::store

namespace cotlab::ui {

struct WorkspaceTaskOptions {
    bool urgent = false;
    int kind = 0;         // 0: unbounded
    size_t maxQueued = 0; // of this kind; 0: unbounded
    std::function<void()> dropped;
    std::function<void(const std::string&)> failed; // the task threw (message), also on a failed open
};

// Options of a task that reports a failure (its message) and may go before the queued tasks.
inline WorkspaceTaskOptions taskOptions(std::function<void(const std::string&)> failed, bool urgent = false)
{
    WorkspaceTaskOptions options;
    options.failed = std::move(failed);
    options.urgent = urgent;
    return options;
}

class WorkspaceThread {
public:
    using Task = std::function<void(store::Database&)>;

    WorkspaceThread();
    ~WorkspaceThread(); // drops what is queued, interrupts the running statement and joins

    // Tasks posted after this run on a connection to `path` (opened on first use; a failure to open is passed to
    // the task's `failed`).
    void setWorkspace(const std::string& path);

    using Options = WorkspaceTaskOptions;
    void post(Task task, Options options = {});
    // Drops every queued task (their `dropped` callbacks run) and interrupts the statement now running.
    void cancelAll();

private:
    struct Item {
        Task task;
        Options options;
        std::string path;
    };
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Item> m_queue;
    std::string m_path;
    bool m_quit = false;
    sqlite3* m_running = nullptr; // the connection of the running task, for interrupting
    std::thread m_thread;
};

} // namespace cotlab::ui
