namespace CohortSync.Sandbox.Iterable;

/// <summary>
/// One Iterable project: its lists, its user registry and the users marked as refused.
/// Userids compare case-sensitively; emails are stored lowercased. A member is keyed by its userId,
/// or by its email when the subscriber gave no userId. Every method takes the project's lock.
/// </summary>
internal sealed class IterableProject(long id, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, ListState> _lists = [];
    private readonly HashSet<string> _knownUsers = new(StringComparer.Ordinal);
    private readonly Dictionary<IterableUserMark, HashSet<string>> _marks = new()
    {
        [IterableUserMark.Forgotten] = new(StringComparer.Ordinal),
        [IterableUserMark.Conflict] = new(StringComparer.Ordinal),
        [IterableUserMark.InvalidData] = new(StringComparer.Ordinal),
        [IterableUserMark.Invalid] = new(StringComparer.Ordinal),
    };

    // Per endpoint (getUsers, size): when each request of the last minute was let through, oldest first.
    private readonly Dictionary<string, Queue<DateTimeOffset>> _perMinute = new(StringComparer.Ordinal);
    private long _lastCreatedAt;
    private double _rateTokens = double.NaN;
    private long _rateStamp;

    public long Id { get; } = id;

    public IReadOnlyList<SandboxListInfo> Lists()
    {
        lock (_gate)
        {
            // Newest first, as Iterable answers; ids grow with creation time.
            return _lists.Values
                .OrderByDescending(list => list.Id)
                .Select(list => new SandboxListInfo(list.Id, list.Name, "Standard", list.CreatedAt, list.Description, list.Members.Count))
                .ToArray();
        }
    }

    public void CreateList(long listId, string name, string? description, int notReadySubscribes)
    {
        lock (_gate)
        {
            // Strictly increasing createdAt keeps "oldest list of a name" well defined even within one millisecond.
            var createdAt = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastCreatedAt + 1);
            _lastCreatedAt = createdAt;
            _lists[listId] = new ListState(listId, name, description, createdAt) { NotReadySubscribes = notReadySubscribes };
        }
    }

    public bool DeleteList(long listId)
    {
        lock (_gate)
        {
            return _lists.Remove(listId);
        }
    }

    /// <summary>Members in ordinal order, or null when the list does not exist.</summary>
    public IReadOnlyList<string>? Members(long listId)
    {
        lock (_gate)
        {
            return _lists.TryGetValue(listId, out var list) ? list.Members.Order(StringComparer.Ordinal).ToArray() : null;
        }
    }

    /// <summary>
    /// The members as they are now in ordinal order, or null when the list does not exist: one array of the stored
    /// strings, sorted outside the lock, so a list of millions costs its references and nothing else.
    /// </summary>
    public string[]? MemberSnapshot(long listId)
    {
        string[] members;
        lock (_gate)
        {
            if (!_lists.TryGetValue(listId, out var list))
            {
                return null;
            }

            members = [.. list.Members];
        }

        Array.Sort(members, StringComparer.Ordinal);
        return members;
    }

    public int? Size(long listId)
    {
        lock (_gate)
        {
            return _lists.TryGetValue(listId, out var list) ? list.Members.Count : null;
        }
    }

    /// <summary>Identifiers are taken as given: userIds are case-sensitive, emails must be lowercase.</summary>
    public void Mark(IterableUserMark mark, IEnumerable<string> identifiers)
    {
        lock (_gate)
        {
            _marks[mark].UnionWith(identifiers);
        }
    }

    /// <summary>Lifts every mark from these identifiers, as an operator who fixed the users in Iterable would.</summary>
    public void Unmark(IEnumerable<string> identifiers)
    {
        lock (_gate)
        {
            var fixedIds = identifiers.ToList();
            foreach (var marked in _marks.Values) marked.ExceptWith(fixedIds);
        }
    }

    /// <summary>Puts members straight into a list, as another tool or a CSV upload in Iterable's UI would.</summary>
    public bool AddMembers(long listId, IEnumerable<string> identifiers)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(listId, out var list))
            {
                return false;
            }

            foreach (var key in identifiers)
            {
                _knownUsers.Add(key);
                list.Members.Add(key);
            }

            return true;
        }
    }

    public (ListLookup Lookup, MembershipReport? Report) Subscribe(long listId, IReadOnlyList<SubscriberRef> subscribers, bool updateExistingUsersOnly)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(listId, out var list))
            {
                return (ListLookup.Missing, null);
            }

            if (list.NotReadySubscribes > 0)
            {
                list.NotReadySubscribes--;
                return (ListLookup.NotReady, null);
            }

            var report = new MembershipReport();
            foreach (var subscriber in subscribers)
            {
                if (Refuse(subscriber, report) is not { } key)
                {
                    continue;
                }

                if (!_knownUsers.Contains(key))
                {
                    if (updateExistingUsersOnly)
                    {
                        Fail(report, subscriber, report.NotFoundEmails, report.NotFoundUserIds);
                        continue;
                    }

                    _knownUsers.Add(key);
                }

                list.Members.Add(key);
                report.SuccessCount++;
            }

            return (ListLookup.Found, report);
        }
    }

    public (ListLookup Lookup, MembershipReport? Report) Unsubscribe(long listId, IReadOnlyList<SubscriberRef> subscribers)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(listId, out var list))
            {
                return (ListLookup.Missing, null);
            }

            var report = new MembershipReport();
            foreach (var subscriber in subscribers)
            {
                if (Refuse(subscriber, report) is not { } key)
                {
                    continue;
                }

                if (!list.Members.Remove(key))
                {
                    Fail(report, subscriber, report.NotFoundEmails, report.NotFoundUserIds);
                    continue;
                }

                report.SuccessCount++;
            }

            return (ListLookup.Found, report);
        }
    }

    /// <summary>Takes members out of a list behind CohortSync's back, as someone in Iterable's UI would.</summary>
    public bool RemoveMembers(long listId, IEnumerable<string> identifiers)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(listId, out var list))
            {
                return false;
            }

            foreach (var key in identifiers)
            {
                list.Members.Remove(key);
            }

            return true;
        }
    }

    /// <summary>
    /// Iterable's per-minute limit of <paramref name="endpoint"/> (getUsers, size: 5 a minute per project), as a sliding
    /// window of the last 60 seconds; 0 or less lets everything through.
    /// </summary>
    public bool TryTakePerMinute(string endpoint, int perMinute, TimeSpan window)
    {
        if (perMinute <= 0)
        {
            return true;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_perMinute.TryGetValue(endpoint, out var taken))
            {
                _perMinute[endpoint] = taken = new Queue<DateTimeOffset>();
            }

            while (taken.TryPeek(out var oldest) && oldest <= now - window)
            {
                taken.Dequeue();
            }

            if (taken.Count >= perMinute)
            {
                return false;
            }

            taken.Enqueue(now);
            return true;
        }
    }

    /// <summary>Token bucket of <paramref name="perSecond"/> requests a second (burst of one second's worth).</summary>
    public bool TryTakeRateToken(double perSecond)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (double.IsNaN(_rateTokens))
            {
                _rateTokens = perSecond;
            }
            else
            {
                var elapsed = time.GetElapsedTime(_rateStamp, now).TotalSeconds;
                _rateTokens = Math.Min(perSecond, _rateTokens + elapsed * perSecond);
            }

            _rateStamp = now;
            if (_rateTokens < 1)
            {
                return false;
            }

            _rateTokens--;
            return true;
        }
    }

    /// <summary>Checks validity and marks; records the failure and returns null, or returns the member key.</summary>
    private string? Refuse(SubscriberRef subscriber, MembershipReport report)
    {
        if (subscriber.UserId is { } userId)
        {
            if (!IterableUserRules.IsValidUserId(userId))
            {
                Fail(report, subscriber, report.InvalidEmails, report.InvalidUserIds);
                return null;
            }
        }
        else if (subscriber.Email is { } email && !IterableUserRules.IsValidEmail(email))
        {
            Fail(report, subscriber, report.InvalidEmails, report.InvalidUserIds);
            return null;
        }

        var key = subscriber.UserId ?? IterableUserRules.NormalizeEmail(subscriber.Email!);
        var normalizedEmail = subscriber.Email is { } e ? IterableUserRules.NormalizeEmail(e) : null;
        bool Marked(IterableUserMark mark) => _marks[mark].Contains(key) || (normalizedEmail is not null && _marks[mark].Contains(normalizedEmail));

        if (Marked(IterableUserMark.Invalid))
        {
            Fail(report, subscriber, report.InvalidEmails, report.InvalidUserIds);
            return null;
        }

        if (Marked(IterableUserMark.Forgotten))
        {
            Fail(report, subscriber, report.ForgottenEmails, report.ForgottenUserIds);
            return null;
        }

        if (Marked(IterableUserMark.Conflict))
        {
            Fail(report, subscriber, report.ConflictEmails, report.ConflictUserIds);
            return null;
        }

        if (Marked(IterableUserMark.InvalidData))
        {
            Fail(report, subscriber, report.InvalidDataEmails, report.InvalidDataUserIds);
            return null;
        }

        return key;
    }

    private static void Fail(MembershipReport report, SubscriberRef subscriber, List<string> emails, List<string> userIds)
    {
        report.FailCount++;
        if (subscriber.UserId is { } userId)
        {
            userIds.Add(userId);
        }
        else if (subscriber.Email is { } email)
        {
            emails.Add(email);
        }
    }

    private sealed class ListState(long id, string name, string? description, long createdAt)
    {
        public long Id { get; } = id;

        public string Name { get; } = name;

        public string? Description { get; } = description;

        public long CreatedAt { get; } = createdAt;

        public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>Subscribe calls still to be answered with invalidListId (Iterable's eventual consistency).</summary>
        public int NotReadySubscribes { get; set; }
    }
}
