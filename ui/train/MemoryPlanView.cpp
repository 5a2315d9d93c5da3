#include "train/MemoryPlanView.h"

#include "nn/DeviceMemory.h"
#include "nn/ModelShape.h"

#include <QFileInfo>

namespace cotlab::ui {

MemoryPlanView::MemoryPlanView(QWidget* parent) : QLabel(parent)
{
    setObjectName("memoryPlan");
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setToolTip(tr("Planned from config.json and the settings, assuming full-length examples; docs/training.md "
                  "compares the plan with measured peaks"));
}

void MemoryPlanView::showPlan(const train::TrainingRequest& r, int processes)
{
    m_fits = true;
    if (r.modelPath.empty() || !QFileInfo::exists(QString::fromStdString(r.modelPath)))
        return setText(tr("Memory plan: choose a model."));
    nn::ModelShape shape;
    try {
        shape = nn::readModelShape(r.modelPath);
    } catch (const std::exception& e) {
        return setText(tr("Memory plan: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    }
    const auto settings = train::memorySettings(r, shape);
    const auto plan = train::planMemory(shape, settings);
    const auto memory = nn::deviceMemory(r.device);
    const int64_t sharing = settings.cuda ? 1 : std::max(1, processes); // workers on this machine's memory
    QString planned = QString::fromStdString(train::formatBytes(plan.total() * sharing));
    if (sharing > 1)
        planned += tr(" (%1 workers × %2)").arg(sharing).arg(QString::fromStdString(train::formatBytes(plan.total())));
    const QString parts = QString::fromStdString(train::describe(plan, settings)).toHtmlEscaped();
    const QString trained = tr("%1 trained parameters of %2")
                                .arg(QLocale().toString(qlonglong(plan.trainableParameters)),
                                     QLocale().toString(qlonglong(shape.parameters)));
    if (memory.available <= 0)
        return setText(tr("<b>Planned peak %1</b>; the device's free memory is unknown.<br>%2<br>%3")
                           .arg(planned, trained, parts));
    const QString available = QString::fromStdString(train::formatBytes(memory.available));
    m_fits = plan.total() * sharing <= memory.available;
    if (m_fits)
        return setText(tr("<b>Planned peak %1</b> of %2 available (%3).<br>%4<br>%5")
                           .arg(planned, available, QString::fromStdString(memory.source), trained, parts));
    QString text = tr("<span style='color:#b00020'><b>Planned peak %1 does not fit the %2 available (%3).</b></span>"
                      "<br>%4<br>%5")
                       .arg(planned, available, QString::fromStdString(memory.source), trained, parts);
    const auto ways = train::waysToFit(shape, settings, memory.available / sharing); // per worker
    if (!ways.empty()) {
        text += tr("<br>Would fit:");
        for (const auto& way : ways)
            text += "<br>• " + QString::fromStdString(way).toHtmlEscaped();
    }
    setText(text);
}

} // namespace cotlab::ui
