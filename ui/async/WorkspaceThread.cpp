#include "async/WorkspaceThread.h"

#include "store/Workspace.h"

#include <sqlite3.h>

namespace cotlab::ui {

WorkspaceThread::WorkspaceThread() : m_thread([this] { loop(); }) {}

WorkspaceThread::~WorkspaceThread()
{
    cancelAll();
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void WorkspaceThread::setWorkspace(const std::string& path)
{
    std::lock_guard lock(m_mutex);
    m_path = path;
}

void WorkspaceThread::post(Task task, Options options)
{
    std::deque<Item> dropped;
    {
        std::lock_guard lock(m_mutex);
        if (options.kind && options.maxQueued) {
            size_t same = 0;
            for (const Item& item : m_queue)
                same += item.options.kind == options.kind;
            for (auto it = m_queue.begin(); same >= options.maxQueued && it != m_queue.end();) {
                if (it->options.kind == options.kind) {
                    dropped.push_back(std::move(*it));
                    it = m_queue.erase(it);
                    --same;
                } else {
                    ++it;
                }
            }
        }
        Item item{std::move(task), std::move(options), m_path};
        if (item.options.urgent)
            m_queue.push_front(std::move(item));
        else
            m_queue.push_back(std::move(item));
    }
    m_wake.notify_one();
    for (Item& item : dropped)
        if (item.options.dropped)
            item.options.dropped();
}

void WorkspaceThread::cancelAll()
{
    std::deque<Item> dropped;
    {
        std::lock_guard lock(m_mutex);
        dropped.swap(m_queue);
        if (m_running)
            sqlite3_interrupt(m_running);
    }
    for (Item& item : dropped)
        if (item.options.dropped)
            item.options.dropped();
}

void WorkspaceThread::loop()
{
    std::unique_ptr<store::Workspace> workspace;
    for (;;) {
        Item item;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_quit || !m_queue.empty(); });
            if (m_quit)
                return;
            item = std::move(m_queue.front());
            m_queue.pop_front();
        }
        try {
            if (!workspace || workspace->path() != item.path) {
                workspace.reset();
                workspace = std::make_unique<store::Workspace>(item.path);
            }
            {
                std::lock_guard lock(m_mutex);
                m_running = workspace->db().handle();
            }
            item.task(workspace->db());
        } catch (const std::exception& e) {
            if (item.options.failed)
                item.options.failed(e.what());
        }
        std::lock_guard lock(m_mutex);
        m_running = nullptr;
    }
}

} // namespace cotlab::ui
