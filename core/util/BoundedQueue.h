#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace cotlab {

// A blocking single-producer/single-consumer queue with a fixed capacity, so that a fast producer cannot
// make memory grow. close() wakes both sides; push() then returns false and pop() drains what is left.
template <typename T> class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : m_capacity(capacity) {}

    bool push(T item)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [&] { return m_closed || m_items.size() < m_capacity; });
        return pushLocked(item);
    }

    // Without waiting: false (item untouched) when full or closed.
    bool tryPush(T& item)
    {
        std::lock_guard lock(m_mutex);
        return m_items.size() < m_capacity && pushLocked(item);
    }

    std::optional<T> pop()
    {
        std::unique_lock lock(m_mutex);
        m_notEmpty.wait(lock, [&] { return m_closed || !m_items.empty(); });
        return popLocked();
    }

    // Without waiting: nothing when empty.
    std::optional<T> tryPop()
    {
        std::lock_guard lock(m_mutex);
        return popLocked();
    }

    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_notFull.notify_all();
        m_notEmpty.notify_all();
    }

private:
    bool pushLocked(T& item)
    {
        if (m_closed)
            return false;
        m_items.push_back(std::move(item));
        m_notEmpty.notify_one();
        return true;
    }

    std::optional<T> popLocked()
    {
        if (m_items.empty())
            return std::nullopt;
        T item = std::move(m_items.front());
        m_items.pop_front();
        m_notFull.notify_one();
        return item;
    }

    size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_notFull;
    std::condition_variable m_notEmpty;
    std::deque<T> m_items;
    bool m_closed = false;
};

} // namespace cotlab
