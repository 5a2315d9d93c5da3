#include "teacher/SampleDialog.h"

#include "async/PostThen.h"
#include "common/FormWidgets.h"
#include "ingest/DemoBuilder.h"
#include "store/RationaleRepository.h"
#include "teacher/SamplingJob.h"
#include "teacher/SamplingPlan.h"
#include "teacher/TeacherSamplingJob.h"
#include "util/Error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

namespace cotlab::ui {

namespace {

QDoubleSpinBox* doubleBox(double min, double max, double value, double step)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setDecimals(2);
    box->setValue(value);
    return box;
}

} // namespace

SampleDialog::SampleDialog(const QString& workspace, const QStringList& tasks, QWidget* parent)
    : QDialog(parent), m_workspace(workspace), m_job(new TeacherSamplingJob(this)), m_estimateDelay(new QTimer(this))
{
    setWindowTitle(tr("Sample from Teacher"));
    m_confirm = [this](const QString& question) {
        return QMessageBox::question(this, tr("Sample from Teacher"), question) == QMessageBox::Yes;
    };
    auto* left = new QVBoxLayout;
    left->addWidget(endpointBox());
    left->addWidget(scopeBox(tasks));
    left->addWidget(promptBox());
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 3);
    layout->addLayout(statusColumn(), 2);
    resize(1280, 720);
    connectChanges();
    m_store.setWorkspace(workspace.toStdString());
    loadExamples();
    updatePreview();
    m_estimateDelay->start();
}

QWidget* SampleDialog::endpointBox()
{
    QSettings settings;
    m_url = new QLineEdit(settings.value("sample/url", "http://localhost:8000/v1").toString());
    m_url->setObjectName("url");
    m_model = new QLineEdit(settings.value("sample/model").toString());
    m_model->setObjectName("model");
    m_model->setPlaceholderText(tr("the model name the endpoint serves"));
    m_chat = new QCheckBox(tr("chat completions"));
    m_keyEnv = new QLineEdit(settings.value("sample/keyEnv", "OPENAI_API_KEY").toString());
    m_keyStatus = new QLabel;
    auto* box = new QGroupBox(tr("Teacher endpoint (OpenAI-compatible: vLLM, llama.cpp, TGI, Ollama, hosted, "
                                 "cotlab-cli serve)"));
    auto* endpointForm = new QFormLayout(box);
    endpointForm->addRow(tr("&URL:"), m_url);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(m_chat);
    endpointForm->addRow(tr("Model:"), modelRow);
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_keyEnv);
    keyRow->addWidget(m_keyStatus, 1);
    endpointForm->addRow(tr("API key from:"), keyRow);
    return box;
}

QWidget* SampleDialog::scopeBox(const QStringList& tasks)
{
    m_tasks = new QListWidget;
    m_tasks->setObjectName("tasks");
    m_tasks->setMaximumHeight(110);
    setTasks(tasks);
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItem(tr("any"), QString());
    for (const char* s : {"train", "dev", "test", "contrast"})
        m_split->addItem(s, QString(s));
    m_limit = spinBox(0, 10000000, 20); // small defaults: a first look costs little
    m_limit->setSpecialValueText(tr("all"));
    m_samples = spinBox(1, 1000, 5);
    m_samples->setObjectName("samples");
    auto* box = new QGroupBox(tr("What to sample"));
    auto* scopeForm = new QFormLayout(box);
    scopeForm->addRow(tr("&Tasks (none: all):"), m_tasks);
    scopeForm->addRow(tr("S&plit:"), m_split);
    scopeForm->addRow(tr("&First instances:"), m_limit);
    scopeForm->addRow(tr("Samples per &instance:"), m_samples);
    return box;
}

QWidget* SampleDialog::promptBox()
{
    QSettings settings;
    m_template = new QComboBox;
    m_template->setObjectName("template");
    m_template->addItem(tr("Zero-shot-CoT (\"Let's think step by step.\", then an answer call)"), "zero-shot-cot");
    m_template->addItem(tr("Few-shot CoT (the task's human-written exemplars)"), "few-shot");
    m_template->addItem(tr("Socratic (sub-questions)"), "socratic");
    m_template->addItem(tr("Custom"), "custom");
    m_trigger = new QLineEdit("Let's think step by step.");
    m_custom = new QPlainTextEdit("Q: {question}{choices}\nA: Let's work this out step by step.");
    m_custom->setMaximumHeight(60);
    m_answerCall = new QCheckBox(tr("read the answer with a second call (Kojima et al.)"));
    m_answerCall->setChecked(true);
    m_temperature = doubleBox(0, 2, 0.7, 0.05);
    m_topP = doubleBox(0.01, 1, 1.0, 0.05);
    m_maxTokens = spinBox(1, 8192, 256);
    m_stop = new QLineEdit;
    m_stop->setPlaceholderText(tr("stop strings, separated by |  (e.g. \\n\\nQ:)"));
    m_perRequest = spinBox(1, 128, 8);
    m_concurrency = spinBox(1, 256, 4);
    m_rpm = spinBox(0, 100000, 0);
    m_rpm->setSpecialValueText(tr("no limit"));
    m_tpm = spinBox(0, 100000000, 0);
    m_tpm->setSpecialValueText(tr("no limit"));
    m_pricePrompt = doubleBox(0, 1000, settings.value("sample/pricePrompt", 0.0).toDouble(), 0.1);
    m_priceCompletion = doubleBox(0, 1000, settings.value("sample/priceCompletion", 0.0).toDouble(), 0.1);
    auto* box = new QGroupBox(tr("Prompt and sampling"));
    auto* promptForm = new QFormLayout(box);
    promptForm->addRow(tr("Te&mplate:"), m_template);
    promptForm->addRow(tr("Trigger:"), m_trigger);
    promptForm->addRow(tr("Custom text:"), m_custom);
    promptForm->addRow(QString(), m_answerCall);
    auto* sampling = new QHBoxLayout;
    for (auto [label, widget] : {std::pair{tr("temperature"), static_cast<QWidget*>(m_temperature)},
                                 std::pair{tr("top-p"), static_cast<QWidget*>(m_topP)},
                                 std::pair{tr("max tokens"), static_cast<QWidget*>(m_maxTokens)}}) {
        sampling->addWidget(new QLabel(label));
        sampling->addWidget(widget);
    }
    promptForm->addRow(tr("Sampling:"), sampling);
    promptForm->addRow(tr("Stop:"), m_stop);
    auto* limits = new QHBoxLayout;
    for (auto [label, widget] :
         {std::pair{tr("n per request"), m_perRequest}, std::pair{tr("in flight"), m_concurrency},
          std::pair{tr("requests/min"), m_rpm}, std::pair{tr("tokens/min"), m_tpm}}) {
        limits->addWidget(new QLabel(label));
        limits->addWidget(widget);
    }
    promptForm->addRow(tr("Throughput:"), limits);
    auto* prices = new QHBoxLayout;
    prices->addWidget(new QLabel(tr("USD per million prompt tokens")));
    prices->addWidget(m_pricePrompt);
    prices->addWidget(new QLabel(tr("completion tokens")));
    prices->addWidget(m_priceCompletion);
    m_free = new QCheckBox(tr("free endpoint"));
    m_free->setObjectName("free");
    m_free->setToolTip(tr("A hosted endpoint needs its prices so the cost is known before sending; tick this when it "
                          "costs nothing"));
    prices->addWidget(m_free);
    prices->addStretch();
    promptForm->addRow(tr("Prices:"), prices);
    return box;
}

// The exact prompt, the estimate, progress, errors and the buttons.
QLayout* SampleDialog::statusColumn()
{
    m_preview = new QPlainTextEdit;
    m_preview->setObjectName("preview");
    m_preview->setReadOnly(true);
    m_estimate = new QLabel;
    m_estimate->setObjectName("estimate");
    m_estimate->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setObjectName("progress");
    m_rate = new QLabel;
    m_rate->setObjectName("rate");
    m_errors = new QPlainTextEdit;
    m_errors->setObjectName("errors");
    m_errors->setReadOnly(true);
    m_errors->setMaximumHeight(80);
    m_errors->setPlaceholderText(tr("Errors and retries show here."));
    m_message = new QLabel;
    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    m_start = new QPushButton(tr("&Start"));
    m_start->setObjectName("start");
    m_start->setDefault(true);
    m_stopButton = new QPushButton(tr("S&top"));
    m_stopButton->setEnabled(false);
    auto* close = new QPushButton(tr("Close"));
    connect(m_start, &QPushButton::clicked, this, &SampleDialog::start);
    connect(m_stopButton, &QPushButton::clicked, this, [this] {
        m_job->stop();
        showMessageIn(m_message, tr("Stopping after the requests in flight…"), false);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);

    auto* right = new QVBoxLayout;
    right->addWidget(new QLabel(tr("<b>Exact prompt</b> of the first instance in scope:")));
    right->addWidget(m_preview, 1);
    right->addWidget(m_estimate);
    right->addWidget(m_progress);
    right->addWidget(m_rate);
    right->addWidget(m_errors);
    right->addWidget(m_message);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_start);
    buttons->addWidget(m_stopButton);
    buttons->addWidget(close);
    right->addLayout(buttons);
    return right;
}

// Every setting that changes the prompt or the estimate updates them (the estimate a moment later).
void SampleDialog::connectChanges()
{
    m_estimateDelay->setSingleShot(true);
    m_estimateDelay->setInterval(250);
    connect(m_estimateDelay, &QTimer::timeout, this, &SampleDialog::updateEstimate);
    auto changed = [this] {
        updatePreview();
        m_estimateDelay->start();
    };
    for (QLineEdit* e : {m_url, m_model, m_keyEnv, m_trigger, m_stop})
        connect(e, &QLineEdit::textChanged, this, changed);
    connect(m_custom, &QPlainTextEdit::textChanged, this, changed);
    for (QSpinBox* s : {m_limit, m_samples, m_maxTokens, m_perRequest})
        connect(s, &QSpinBox::valueChanged, this, changed);
    for (QComboBox* c : {m_template, m_split})
        connect(c, &QComboBox::currentIndexChanged, this, changed);
    connect(m_answerCall, &QCheckBox::toggled, this, changed);
    connect(m_tasks, &QListWidget::itemChanged, this, changed);
    connect(m_job, &TeacherSamplingJob::progressed, this,
            [this](qint64 stored, qint64 needed, qint64 requests, qint64 retries, qint64 failed, double seconds,
                   const QStringList& errors) {
                m_progress->setRange(0, int(std::max<qint64>(needed, 1)));
                m_progress->setValue(int(stored));
                m_progress->setFormat(tr("%1 of %2 samples").arg(stored).arg(needed));
                m_rate->setText(tr("%1 samples/s · %2 requests · %3 retried · %4 failed")
                                    .arg(seconds > 0 ? double(stored) / seconds : 0.0, 0, 'f', 2)
                                    .arg(requests)
                                    .arg(retries)
                                    .arg(failed));
                m_errors->setPlainText(errors.join("\n"));
            });
    connect(m_job, &BackgroundJob::finished, this, [this](bool ok, const QString&, const QString& message) {
        m_start->setEnabled(true);
        m_stopButton->setEnabled(false);
        showMessageIn(m_message, message, !ok);
        m_estimateDelay->start();
        Q_EMIT sampled();
    });
}

SampleDialog::~SampleDialog()
{
    m_job->stop();
    m_job->waitForIdle();
}

void SampleDialog::setTasks(const QStringList& tasks)
{
    m_tasks->clear();
    for (const QString& t : tasks) {
        auto* item = new QListWidgetItem(t, m_tasks);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
}

void SampleDialog::setTasksInView(const QStringList& tasks)
{
    for (int i = 0; i < m_tasks->count(); ++i)
        m_tasks->item(i)->setCheckState(tasks.contains(m_tasks->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
}

void SampleDialog::setEndpoint(const QString& url, const QString& model)
{
    m_url->setText(url);
    m_model->setText(model);
}

void SampleDialog::setSamples(int perInstance, int limit)
{
    m_samples->setValue(perInstance);
    m_limit->setValue(limit);
}

QStringList SampleDialog::selectedTasks() const
{
    QStringList out;
    for (int i = 0; i < m_tasks->count(); ++i)
        if (m_tasks->item(i)->checkState() == Qt::Checked)
            out << m_tasks->item(i)->text();
    return out;
}

teacher::PromptTemplate SampleDialog::promptTemplate() const
{
    teacher::PromptTemplate p;
    p.style = teacher::parsePromptStyle(m_template->currentData().toString().toStdString());
    p.trigger = m_trigger->text().toStdString();
    p.custom = m_custom->toPlainText().toStdString();
    p.extractAnswer = m_answerCall->isChecked();
    p.exemplarsFile = ingest::DemoBuilder::findDemoData(QApplication::applicationFilePath().toStdString()) +
                      "/prompts/few_shot_cot_prompts.json";
    return p;
}

teacher::SamplingRequest SampleDialog::request() const
{
    teacher::SamplingRequest r;
    r.workspace = m_workspace.toStdString();
    r.endpoint.baseUrl = m_url->text().trimmed().toStdString();
    r.endpoint.model = m_model->text().trimmed().toStdString();
    r.endpoint.chat = m_chat->isChecked();
    if (r.endpoint.baseUrl.empty())
        throw Error("Give the endpoint's URL, e.g. http://localhost:8000/v1.");
    if (r.endpoint.model.empty())
        throw Error("Give the teacher model's name as the endpoint serves it.");
    r.prompt = promptTemplate();
    for (const QString& t : selectedTasks())
        r.tasks.push_back(t.toStdString());
    r.split = m_split->currentData().toString().toStdString();
    r.limit = m_limit->value();
    r.samplesPerInstance = m_samples->value();
    r.params.temperature = m_temperature->value();
    r.params.topP = m_topP->value();
    r.params.maxTokens = m_maxTokens->value();
    for (const QString& s : m_stop->text().split('|', Qt::SkipEmptyParts))
        r.params.stop.push_back(QString(s).replace("\\n", "\n").toStdString());
    r.maxPerRequest = m_perRequest->value();
    r.concurrency = m_concurrency->value();
    r.requestsPerMinute = m_rpm->value();
    r.tokensPerMinute = m_tpm->value();
    r.pricePromptPerMillion = m_pricePrompt->value();
    r.priceCompletionPerMillion = m_priceCompletion->value();
    return r;
}

void SampleDialog::loadExamples()
{
    QStringList tasks;
    for (int i = 0; i < m_tasks->count(); ++i)
        tasks << m_tasks->item(i)->text();
    postThen(
        m_store, this,
        [tasks](store::Database& db) {
            store::RationaleRepository repo(db);
            std::map<QString, store::InstanceRecord> examples;
            for (const QString& name : tasks) {
                const std::string task = name.toStdString();
                for (const char* split : {"", "train", "dev", "test", "contrast"}) {
                    const auto ids = repo.instanceIds(task, split, 1);
                    if (!ids.empty())
                        if (auto found = repo.instance(ids.front()))
                            examples[name + "|" + split] = found->first;
                }
            }
            return examples;
        },
        [this](const std::map<QString, store::InstanceRecord>& examples) {
            m_examples = examples;
            updatePreview();
        });
}

void SampleDialog::updatePreview()
{
    const QString keyEnv = m_keyEnv->text().trimmed();
    m_keyStatus->setText(teacher::apiKeyFromEnvironment(keyEnv.toStdString()).empty()
                             ? tr("<span style='color:gray'>not set: the keychain's key for the URL, if any (none "
                                  "is fine for local servers)</span>")
                             : tr("set (sent as a header, never stored)"));
    const bool custom = m_template->currentData().toString() == "custom";
    m_custom->setEnabled(custom);
    m_trigger->setEnabled(m_template->currentData().toString() == "zero-shot-cot");
    m_answerCall->setEnabled(m_template->currentData().toString() == "zero-shot-cot");
    QStringList tasks = selectedTasks();
    if (tasks.isEmpty())
        for (int i = 0; i < m_tasks->count(); ++i)
            tasks << m_tasks->item(i)->text();
    const QString split = m_split->currentData().toString();
    const store::InstanceRecord* example = nullptr;
    for (const QString& t : tasks)
        if (auto it = m_examples.find(t + "|" + split); it != m_examples.end()) {
            example = &it->second;
            break;
        }
    if (!example) {
        m_preview->setPlainText(m_examples.empty() ? tr("(loading…)") : tr("(no instance in this scope)"));
    } else {
        try { // shown before the endpoint and model are filled in
            const auto prompt = promptTemplate();
            QString text = QString::fromStdString(teacher::buildPrompt(prompt, *example));
            if (prompt.style == teacher::PromptStyle::ZeroShotCot && prompt.extractAnswer)
                text += tr("\n\n— then, for each rationale R, a greedy answer call —\n") +
                        QString::fromStdString(teacher::buildPrompt(prompt, *example)) + " R\n" +
                        QString::fromStdString(teacher::answerTrigger(*example));
            m_preview->setPlainText(text);
        } catch (const std::exception& e) {
            m_preview->setPlainText(QString::fromStdString(e.what()));
        }
    }
    Q_EMIT previewUpdated();
}

void SampleDialog::updateEstimate()
{
    teacher::SamplingRequest r;
    try {
        r = request();
    } catch (const std::exception& e) {
        m_estimate->setText(QString::fromStdString(e.what()));
        Q_EMIT estimated();
        return;
    }
    postThen(
        m_store, this, [r](store::Database& db) { return teacher::planSampling(db, r); },
        [this, r](const teacher::SamplingPlan& plan) {
            const double cost = plan.maxCost(r);
            m_estimate->setText(
                tr("<b>Estimate:</b> %1 instances, %2 samples still missing → %3 requests%4, at "
                   "most %5 completion tokens (plus the prompts)%6.")
                    .arg(plan.instances.size())
                    .arg(plan.missing)
                    .arg(plan.callCount())
                    .arg(plan.answerCalls ? tr(" (%1 of them answer calls)").arg(plan.answerCalls) : QString())
                    .arg(QLocale().toString(qint64(plan.completionTokens)),
                         cost > 0 ? tr(", up to $%1 for them").arg(cost, 0, 'f', 2) : QString()));
            Q_EMIT estimated();
        },
        [this](const QString& e) {
            m_estimate->setText(e);
            Q_EMIT estimated();
        });
}

void SampleDialog::start()
{
    teacher::SamplingRequest r;
    try {
        r = request();
    } catch (const std::exception& e) {
        showMessageIn(m_message, QString::fromStdString(e.what()), true);
        return;
    }
    if (const std::string missing = teacher::missingPrices(r, m_free->isChecked()); !missing.empty())
        return showMessageIn(m_message, QString::fromStdString(missing) + ".", true);
    // Above the spending limits the user says yes first (the plan is worked out on the store thread).
    m_start->setEnabled(false);
    postThen(
        m_store, this, [r](store::Database& db) { return teacher::planSampling(db, r); },
        [this, r](const teacher::SamplingPlan& plan) {
            m_start->setEnabled(true);
            const std::string over = teacher::overLimits(plan, r, m_limits);
            if (over.empty() ||
                m_confirm(tr("Send these requests?\n\nThe plan: %1.").arg(QString::fromStdString(over))))
                send(r);
            else
                showMessageIn(m_message, tr("Nothing was sent: lower the samples or instances, or confirm."), false);
        },
        [this](const QString& e) {
            m_start->setEnabled(true);
            showMessageIn(m_message, e, true);
        });
}

void SampleDialog::send(teacher::SamplingRequest r)
{
    // The key is looked up only now (the keychain may run a helper), and lives in the request only.
    r.endpoint.apiKey = teacher::findApiKey(m_keyEnv->text().trimmed().toStdString(), r.endpoint.baseUrl);
    QSettings settings;
    settings.setValue("sample/url", m_url->text().trimmed());
    settings.setValue("sample/model", m_model->text().trimmed());
    settings.setValue("sample/keyEnv", m_keyEnv->text().trimmed());
    settings.setValue("sample/pricePrompt", m_pricePrompt->value());
    settings.setValue("sample/priceCompletion", m_priceCompletion->value());
    if (!m_job->start(r))
        return;
    m_start->setEnabled(false);
    m_stopButton->setEnabled(true);
    m_errors->clear();
    showMessageIn(m_message, tr("Sampling from %1…").arg(QString::fromStdString(r.endpoint.model)), false);
}

QString SampleDialog::preview() const
{
    return m_preview->toPlainText();
}

QString SampleDialog::estimate() const
{
    return m_estimate->text();
}

} // namespace cotlab::ui
