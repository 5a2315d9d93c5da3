#pragma once

// The one way a page runs store work off the GUI thread: `task` runs on the page's WorkspaceThread with its
// connection; its result (or its failure's message) comes back on the GUI thread to `onResult` (or `onError`), and
// is dropped when `receiver` is gone by then.
#include "async/WorkspaceThread.h"

#include <QMetaObject>
#include <QObject>
#include <QString>
#include <functional>
#include <type_traits>
#include <utility>

namespace cotlab::ui {

using ErrorHandler = std::function<void(const QString& message)>;

template <class Task, class OnResult>
void postThen(WorkspaceThread& thread, QObject* receiver, Task task, OnResult onResult, ErrorHandler onError = {},
              WorkspaceTaskOptions options = {})
{
    using Result = std::invoke_result_t<Task&, store::Database&>;
    if (onError)
        options.failed = [receiver, onError = std::move(onError)](const std::string& message) {
            QMetaObject::invokeMethod(
                receiver, [onError, text = QString::fromStdString(message)] { onError(text); }, Qt::QueuedConnection);
        };
    thread.post(
        [receiver, task = std::move(task), onResult = std::move(onResult)](store::Database& db) mutable {
            if constexpr (std::is_void_v<Result>) {
                task(db);
                QMetaObject::invokeMethod(receiver, std::move(onResult), Qt::QueuedConnection);
            } else {
                QMetaObject::invokeMethod(
                    receiver, [onResult = std::move(onResult), result = task(db)]() mutable { onResult(result); },
                    Qt::QueuedConnection);
            }
        },
        std::move(options));
}

// Store work whose only outcome worth a word is its failure.
template <class Task> void postThen(WorkspaceThread& thread, QObject* receiver, Task task, ErrorHandler onError)
{
    postThen(
        thread, receiver, std::move(task), [] {}, std::move(onError));
}

} // namespace cotlab::ui
