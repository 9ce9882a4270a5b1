using System.Security.Cryptography;
using System.Text;
using Worker.Security;

namespace Worker.Tests.Security;

/// <summary>Who the tests act as: anon, one seeded user per role, and the API's service role.</summary>
public sealed record Actor(string Name, string DatabaseRole, Guid? UserId)
{
    public static readonly Actor Anon = new("anon", Impersonation.Anon, null);
    public static readonly Actor Director = User("director");
    public static readonly Actor Admin = User("admin");
    public static readonly Actor Sales = User("sales");
    public static readonly Actor Sales2 = User("sales2");
    public static readonly Actor Marketing = User("marketing");
    public static readonly Actor Ops = User("ops");
    public static readonly Actor Finance = User("finance");
    public static readonly Actor ServiceRole = new("service_role", Impersonation.ServiceRole, null);

    /// <summary>The matrix's column order.</summary>
    public static readonly Actor[] All = [Anon, Director, Admin, Sales, Marketing, Ops, Finance, ServiceRole];

    /// <summary>The seed's ids are md5('user:&lt;name&gt;') read as a uuid; so are these.</summary>
    public static Guid SeedId(string key) => new(Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant().Insert(20, "-").Insert(16, "-").Insert(12, "-").Insert(8, "-"));

    private static Actor User(string name) => new(name, Impersonation.Authenticated, SeedId("user:" + name));

    public override string ToString() => Name;
}
